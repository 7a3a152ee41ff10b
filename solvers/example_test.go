package solvers_test

import (
	"fmt"
	"log"

	"github.com/tanren-ml/tanren/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// quadratic builds loss = Σ(w − target)² over the shared tensor wT and
// returns the node of w and a function running forward and backward.
func quadratic(wT *tensor.Dense, target []float64) (*G.Node, func()) {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(wT.Shape()...), G.WithName("w"), G.WithValue(wT))
	c := G.NewConstant(tensor.New(tensor.WithShape(len(target)), tensor.WithBacking(target)))
	loss := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(w, c))))))
	if _, err := G.Grad(loss, w); err != nil {
		log.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	return w, func() {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
	}
}

func ExampleNew() {
	wT := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))
	w, run := quadratic(wT, []float64{3, -1})

	s, err := solvers.New("radam", solvers.WithLearnRate(0.1))
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		run()
		if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%.3f\n", wT.Data())

	_, err = solvers.New("adam", solvers.WithMomentum(0.9))
	fmt.Println(err)
	// Output:
	// [3.000 -1.000]
	// solvers: option WithMomentum does not apply to solver "adam" (it accepts WithLearnRate, WithWeightDecay, WithClipNorm, WithBetas, WithEps, WithAMSGrad)
}

// A one-cycle schedule drives the learning rate and, for the Adam family, β1.
func ExampleApply() {
	s, err := solvers.New("adamw")
	if err != nil {
		log.Fatal(err)
	}
	sched := solvers.OneCycle{MaxLR: 0.01, TotalSteps: 100}
	for _, step := range []int{0, 29, 99} {
		if err := solvers.Apply(s, sched, step); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("step %2d: lr %.2e beta1 %.2f\n", step, s.LearnRate(), s.(solvers.MomentumSetter).Momentum())
	}
	// Output:
	// step  0: lr 4.00e-04 beta1 0.95
	// step 29: lr 1.00e-02 beta1 0.85
	// step 99: lr 4.00e-08 beta1 0.95
}

func ExampleWarmup() {
	sched := solvers.Warmup{Steps: 4, StartFactor: 0.2, Then: solvers.Cosine{Base: 0.1, Period: 8}}
	for t := 0; t < 13; t += 2 {
		fmt.Printf("%.4f ", sched.LR(t))
	}
	fmt.Println()
	// Output:
	// 0.0200 0.0600 0.1000 0.0854 0.0500 0.0146 0.0000
}

func ExampleReduceOnPlateau() {
	p := &solvers.ReduceOnPlateau{Base: 0.1, Patience: 2, Factor: 0.5}
	for _, valLoss := range []float64{1.0, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7} {
		lr, err := p.Step(valLoss)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(lr, " ")
	}
	fmt.Println()
	// Output:
	// 0.1 0.1 0.1 0.1 0.05 0.05 0.05 0.05 0.025
}

// Discriminative learning rates: the backbone moves at a tenth of the head's
// rate. Scales are keyed by the parameter tensor.
func ExampleLRScaler() {
	backbone := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	head := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	s, err := solvers.New("sgd", solvers.WithLearnRate(0.5))
	if err != nil {
		log.Fatal(err)
	}
	if err := s.(solvers.LRScaler).SetLRScale(backbone, 0.1); err != nil {
		log.Fatal(err)
	}
	bw, run1 := quadratic(backbone, []float64{0})
	hw, run2 := quadratic(head, []float64{0})
	run1()
	run2()
	if err := s.Step(G.NodesToValueGrads(G.Nodes{bw, hw})); err != nil {
		log.Fatal(err)
	}
	fmt.Println(backbone.Data(), head.Data())
	// Output:
	// [0.9] [0]
}

// Checkpoints store the state by parameter name; a resumed run continues
// exactly where the first stopped.
func ExampleCheckpointer() {
	wT := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))
	w, run := quadratic(wT, []float64{1, 2})
	s, err := solvers.New("adam", solvers.WithLearnRate(0.1))
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		run()
		if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			log.Fatal(err)
		}
	}
	st, err := s.(solvers.Checkpointer).State(func(p *tensor.Dense) (string, bool) { return "fc.weight", p == wT })
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Solver, st.Params["fc.weight"].Step, st.Params["fc.weight"].Buffers["exp_avg"].Shape())

	resumed, _ := solvers.New("adam")
	err = resumed.(solvers.Checkpointer).LoadState(st, func(name string) (*tensor.Dense, bool) {
		return wT, name == "fc.weight"
	})
	fmt.Println(err, resumed.LearnRate())
	// Output:
	// adam 3 (2)
	// <nil> 0.1
}
