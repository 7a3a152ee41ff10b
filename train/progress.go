package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a bar per epoch on a terminal and nothing but the epoch
// lines elsewhere (logs, CI), where a bar would be noise.
type progress struct {
	w      io.Writer
	bar    *progressbar.ProgressBar
	start  time.Time
	images int
}

func newProgress(w io.Writer, epoch, epochs, batches, done int) *progress {
	p := &progress{w: w, start: time.Now()}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || batches <= 0 {
		return p
	}
	p.bar = progressbar.NewOptions(batches,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	_ = p.bar.Set(done)
	return p
}

// update advances the bar to batch done, showing images/s and the running
// loss.
func (p *progress) update(done, images int, loss float64) {
	if p.bar == nil {
		return
	}
	p.images += images
	rate := float64(p.images) / max(time.Since(p.start).Seconds(), 1e-9)
	_ = p.bar.Set(done)
	p.bar.Describe(fmt.Sprintf("loss %.4f %6.0f img/s", loss, rate))
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func (p *progress) line(s string) { fmt.Fprintln(p.w, s) }
