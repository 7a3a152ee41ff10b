package graph

import (
	"errors"
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/internal/arena"
)

// LossFunc builds a scalar loss from a model's output and a target node of
// the same shape (one-hot or soft class probabilities for classification).
type LossFunc func(s *Scope, output, target *G.Node) (*G.Node, error)

// ParamNode is a parameter as bound in one graph.
type ParamNode struct {
	Var  *Var
	Node *G.Node
}

// Penalty builds a scalar term added to the loss from the graph's trainable
// parameters, such as an L2 penalty. It is differentiated with the loss.
type Penalty func(g *G.ExprGraph, params []ParamNode) (*G.Node, error)

// Spec describes the Program to compile.
type Spec struct {
	// Mode is Eval (the zero value) or Train.
	Mode Mode
	// Input is the full input shape, batch first: (N, C, H, W) or (N, F).
	Input tensor.Shape
	// Loss, if set, adds a target input of the output's shape and a loss.
	// In Train mode the loss is differentiated with respect to every
	// parameter that is not frozen.
	Loss LossFunc
	// Penalties are added to the loss (Train mode only).
	Penalties []Penalty
	// InputGrad also differentiates the loss with respect to the input
	// (Train mode only); see Program.InputGrad.
	InputGrad bool
	// Seed seeds the generator of noise inputs such as dropout masks; see
	// Program.Reseed.
	Seed uint64
}

// Program is one compiled graph over a Store for a mode and input shape.
// A Program is not safe for concurrent use; compile one per goroutine.
type Program struct {
	store     *Store
	spec      Spec
	g         *G.ExprGraph
	vm        G.VM
	input     *G.Node
	target    *G.Node
	output    *G.Node
	loss      *G.Node
	trainable []ParamNode
	learn     []G.ValueGrad
	noise     []noiseInput
	after     []func() error
	rng       *rand.Rand
	// arena holds the buffers of tanren's ops between runs; see runAll.
	arena *arena.Arena
	// outVal and lossVal are separate allocations, not fields: a Read op
	// pointing into the Program would close a reference cycle through the
	// TapeMachine, which has a finalizer, and Go never collects a cycle
	// holding a finalizer — every Program would leak its graph.
	outVal  *G.Value
	lossVal *G.Value
}

// Result is what one run produced.
type Result struct {
	// Loss is the loss including penalties (0 without a loss).
	Loss float64
	// Output is a copy of the model's output.
	Output *tensor.Dense
}

// Compile builds model into a new graph over store for spec. It never
// panics: Gorgonia panics during construction become errors naming the
// layer and shapes.
func Compile(store *Store, model Layer, spec Spec) (p *Program, err error) {
	if store == nil || model == nil {
		return nil, errors.New("compile: nil store or model")
	}
	if len(spec.Input) == 0 {
		return nil, errors.New("compile: Spec.Input is empty: give the full input shape, batch first, e.g. (64, 1, 28, 28)")
	}
	for _, d := range spec.Input {
		if d <= 0 {
			return nil, fmt.Errorf("compile: invalid input shape %v", spec.Input)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("compile (%v, input %v): gorgonia: %v", spec.Mode, spec.Input, r)
		}
	}()
	g := G.NewGraph()
	ar := arena.Register(g) // before any op is added: ops look it up then
	b := &builder{g: g, store: store, mode: spec.Mode, nodes: map[string]*G.Node{}, frozen: map[string]bool{}}
	root := &Scope{b: b}
	dt := store.dtype
	p = &Program{store: store, spec: spec, g: g, arena: ar}
	p.input = G.NewTensor(g, dt, len(spec.Input), G.WithShape(spec.Input.Clone()...), G.WithName("input"))
	b.input, b.inputGrad = p.input, spec.Mode == Train && spec.InputGrad
	out, err := Call(root, "", model, p.input)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	p.output = out
	p.outVal, p.lossVal = new(G.Value), new(G.Value)
	G.Read(out, p.outVal)
	p.noise, p.after = b.noise, b.after
	p.rng = rand.New(rand.NewPCG(spec.Seed, 0x9e3779b97f4a7c15))

	if spec.Loss == nil {
		return p.finish()
	}
	p.target = G.NewTensor(g, dt, out.Dims(), G.WithShape(out.Shape().Clone()...), G.WithName("target"))
	loss, err := spec.Loss(root, out, p.target)
	if err != nil {
		return nil, fmt.Errorf("compile: loss on output %v: %w", out.Shape(), err)
	}
	if !loss.IsScalar() {
		return nil, fmt.Errorf("compile: loss has shape %v, want a scalar", loss.Shape())
	}
	if spec.Mode == Train {
		for _, v := range b.used {
			if !v.Frozen {
				p.trainable = append(p.trainable, ParamNode{Var: v, Node: b.nodes[v.Name]})
			}
		}
		for i, pen := range spec.Penalties {
			term, err := pen(g, p.trainable)
			if err != nil {
				return nil, fmt.Errorf("compile: penalty %d: %w", i, err)
			}
			if term == nil {
				continue
			}
			if loss, err = G.Add(loss, term); err != nil {
				return nil, fmt.Errorf("compile: adding penalty %d: %w", i, err)
			}
		}
	}
	p.loss = loss
	G.Read(loss, p.lossVal)
	return p.finish()
}

// finish differentiates (in Train mode) and creates the machine.
func (p *Program) finish() (*Program, error) {
	wrt := make([]*G.Node, 0, len(p.trainable)+1)
	for _, t := range p.trainable {
		wrt = append(wrt, t.Node)
	}
	if p.spec.Mode == Train && p.loss != nil && p.spec.InputGrad {
		wrt = append(wrt, p.input)
	}
	var opts []G.VMOpt
	if p.spec.Mode == Train && p.loss != nil && len(wrt) > 0 {
		if _, err := G.Grad(p.loss, wrt...); err != nil {
			return nil, fmt.Errorf("compile: differentiating the loss: %w", err)
		}
		opts = append(opts, G.BindDualValues(wrt...))
		for _, t := range p.trainable {
			p.learn = append(p.learn, t.Node)
		}
	}
	p.vm = G.NewTapeMachine(p.g, opts...)
	return p, nil
}

// Mode returns the program's mode.
func (p *Program) Mode() Mode { return p.spec.Mode }

// InputShape returns the input shape the program was compiled for.
func (p *Program) InputShape() tensor.Shape { return p.spec.Input.Clone() }

// OutputShape returns the shape of the model's output.
func (p *Program) OutputShape() tensor.Shape { return p.output.Shape().Clone() }

// Trainable returns the parameters the program differentiates.
func (p *Program) Trainable() []ParamNode { return append([]ParamNode(nil), p.trainable...) }

// Learnables returns the trainable nodes as Gorgonia solvers take them.
func (p *Program) Learnables() []G.ValueGrad { return append([]G.ValueGrad(nil), p.learn...) }

// Reseed restarts the noise generator (dropout masks) from seed. A trainer
// reseeds before each step from (run seed, epoch, step), so a resumed run
// draws the same masks as an uninterrupted one.
func (p *Program) Reseed(seed uint64) { p.rng = rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// Forward runs the model on x and returns its output. A program compiled
// with a loss needs a target: use Run.
func (p *Program) Forward(x *tensor.Dense) (*tensor.Dense, error) {
	r, err := p.Run(x, nil)
	return r.Output, err
}

// Run binds x (and target, when the program has a loss), runs the graph and
// returns the loss and a copy of the output. In Train mode it computes the
// gradients of the trainable parameters and then runs the layers' after-run
// hooks (batch-norm running statistics).
func (p *Program) Run(x, target *tensor.Dense) (res Result, err error) {
	if err := p.bind(p.input, "input", x); err != nil {
		return res, err
	}
	if p.target != nil {
		if target == nil {
			return res, fmt.Errorf("run: program has a loss: a target of shape %v is required", p.target.Shape())
		}
		if err := p.bind(p.target, "target", target); err != nil {
			return res, err
		}
	}
	if p.spec.Mode == Train {
		for _, n := range p.noise {
			if err := n.fill(p.rng, n.value); err != nil {
				return res, fmt.Errorf("run: filling %s: %w", n.node.Name(), err)
			}
		}
	}
	if err := p.runAll(); err != nil {
		return res, err
	}
	if p.spec.Mode == Train {
		for _, fn := range p.after {
			if err := fn(); err != nil {
				return res, fmt.Errorf("run: after-run hook: %w", err)
			}
		}
	}
	out, ok := (*p.outVal).(*tensor.Dense)
	if !ok {
		return res, fmt.Errorf("run: output is %T, want a dense tensor", *p.outVal)
	}
	res.Output = out.Clone().(*tensor.Dense)
	if p.loss != nil {
		res.Loss, err = scalar(*p.lossVal)
	}
	return res, err
}

// Step runs a training step: Run, then solver.Step over the trainable
// parameters (which also zeroes their gradients).
func (p *Program) Step(solver G.Solver, x, target *tensor.Dense) (Result, error) {
	if p.spec.Mode != Train || p.loss == nil {
		return Result{}, errors.New("step: program was not compiled for training (Spec.Mode = Train and a Loss)")
	}
	res, err := p.Run(x, target)
	if err != nil {
		return res, err
	}
	if len(p.learn) == 0 {
		return res, nil
	}
	if err := p.solverStep(solver); err != nil {
		return res, err
	}
	return res, nil
}

func (p *Program) solverStep(solver G.Solver) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("step: solver %T panicked: %v", solver, r)
		}
	}()
	if err := solver.Step(p.learn); err != nil {
		return fmt.Errorf("step: solver %T: %w", solver, err)
	}
	return nil
}

// Grads returns copies of the gradients of the trainable parameters from
// the last Train-mode run, by name.
func (p *Program) Grads() (map[string]*tensor.Dense, error) {
	out := make(map[string]*tensor.Dense, len(p.trainable))
	for _, t := range p.trainable {
		g, err := t.Node.Grad()
		if err != nil {
			return nil, fmt.Errorf("gradient of %q: %w", t.Var.Name, err)
		}
		d, ok := g.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("gradient of %q is %T", t.Var.Name, g)
		}
		out[t.Var.Name] = d.Clone().(*tensor.Dense)
	}
	return out, nil
}

// InputGrad returns the gradient of the loss with respect to the input from
// the last run of a program compiled with Spec.InputGrad.
func (p *Program) InputGrad() (*tensor.Dense, error) {
	if !p.spec.InputGrad || p.spec.Mode != Train || p.loss == nil {
		return nil, errors.New("input gradient: compile with Spec.Mode = Train, a Loss and Spec.InputGrad")
	}
	g, err := p.input.Grad()
	if err != nil {
		return nil, fmt.Errorf("input gradient: %w", err)
	}
	d, ok := g.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("input gradient is %T", g)
	}
	return d.Clone().(*tensor.Dense), nil
}

// Close releases the machine's memory.
func (p *Program) Close() error {
	if p.arena != nil {
		arena.Unregister(p.g)
		p.arena.Release()
	}
	if p.vm != nil {
		return p.vm.Close()
	}
	return nil
}

// bind checks a tensor against a node's shape, converts its dtype to the
// store's when needed, rejects NaN and Inf (a panic inside RunAll cannot be
// recovered), and binds it.
func (p *Program) bind(n *G.Node, what string, t *tensor.Dense) error {
	if t == nil {
		return fmt.Errorf("run: nil %s (want shape %v)", what, n.Shape())
	}
	if !t.Shape().Eq(n.Shape()) {
		return fmt.Errorf("run: %s has shape %v, program was compiled for %v (compile another Program for this shape)", what, t.Shape(), n.Shape())
	}
	if t.Dtype() != p.store.dtype {
		if t.Dtype() != tensor.Float32 && t.Dtype() != tensor.Float64 {
			return fmt.Errorf("run: %s has dtype %v, want %v", what, t.Dtype(), p.store.dtype)
		}
		c := newDense(p.store.dtype, t.Shape())
		setFloat64s(c, Float64s(t))
		t = c
	}
	if hasNonFinite(t) {
		return fmt.Errorf("run: %s contains NaN or Inf", what)
	}
	if err := G.Let(n, t); err != nil {
		return fmt.Errorf("run: binding %s: %w", what, err)
	}
	return nil
}

func (p *Program) runAll() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("run (%v, input %v): gorgonia: %v", p.spec.Mode, p.spec.Input, r)
		}
	}()
	// Every value of the last run is dead by now: Run and Forward return
	// copies, and gradients are accumulated into the parameters' own
	// tensors. So the ops may overwrite the last run's buffers instead of
	// allocating new ones, and a step produces (almost) no garbage.
	p.arena.Recycle()
	p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return fmt.Errorf("run (%v, input %v): %w", p.spec.Mode, p.spec.Input, err)
	}
	return nil
}

func scalar(v G.Value) (float64, error) {
	switch x := v.(type) {
	case *G.F32:
		return float64(*x), nil
	case *G.F64:
		return float64(*x), nil
	case *tensor.Dense:
		if x.Shape().TotalSize() == 1 {
			switch d := x.Data().(type) {
			case []float32:
				return float64(d[0]), nil
			case []float64:
				return d[0], nil
			case float32:
				return float64(d), nil
			case float64:
				return d, nil
			}
		}
	}
	return 0, fmt.Errorf("loss value %v (%T) is not a scalar", v, v)
}
