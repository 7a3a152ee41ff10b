package hub_test

import (
	"fmt"
	"log"

	"github.com/tanren-ml/tanren/zoo/hub"
)

// A timm model's config.json gives the preprocessing its weights expect.
func ExampleReadConfig() {
	c, err := hub.ReadConfig("testdata/config_timm.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Architecture, c.NumClasses, "classes")
	fmt.Printf("input %dx%dx%d, resize to %d (%s), center crop %d\n", c.Channels, c.Height, c.Width, c.ResizeTo(), c.Interpolation, c.Height)
	fmt.Println("mean", c.Mean, "std", c.Std)
	// Output:
	// resnet18 1000 classes
	// input 3x224x224, resize to 235 (bicubic), center crop 224
	// mean [0.485 0.456 0.406] std [0.229 0.224 0.225]
}
