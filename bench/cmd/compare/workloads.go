package main

// workload is one row of the comparison.
type workload struct {
	// Key selects it with -only: a, b, c, d or e.
	Key string
	// Title is the row's label.
	Title string
	// Args are the worker parameters; Memory rows reuse another row's runs.
	Args workerArgs
	// Seconds marks a wall-time row (lower is better, ratio PyTorch/tanren);
	// otherwise the value is images/s (ratio tanren/PyTorch).
	Seconds bool
	// MemoryOf, if set, makes this row the peak memory of that row's
	// processes (ratio tanren/PyTorch, lower is better for tanren).
	MemoryOf string
}

// folderSpec is the generated image folder of the fine-tune.
type folderSpec struct {
	Images, Classes, Size int
}

// plan is every workload at full or quick size.
type plan struct {
	Workloads []workload
	Folder    folderSpec
}

// newPlan returns the workloads of issue 7 at their sizes, or at small
// sizes for a smoke test if quick.
func newPlan(quick bool) plan {
	if quick {
		f := folderSpec{Images: 40, Classes: 4, Size: 32}
		return plan{Folder: f, Workloads: []workload{
			{Key: "a", Title: "(a) LeNet-5 training, batch 64 (images/s)",
				Args: workerArgs{Workload: "lenet5", Batch: 64, Size: 28, Warmup: 1, MinSteps: 2, Seconds: 0.3}},
			{Key: "b", Title: "(b) ResNet-18 training, batch 2, 32x32 (images/s)",
				Args: workerArgs{Workload: "resnet18", Batch: 2, Size: 32, Warmup: 1, MinSteps: 1}},
			{Key: "c", Title: "(c) ResNet-18 inference, batch 2, 64x64 (images/s)",
				Args: workerArgs{Workload: "infer", Batch: 2, Size: 64, Warmup: 1, MinSteps: 1}},
			{Key: "d", Title: "(d) fine-tune, frozen ResNet-18, 40 images 32x32, 1 epoch (s)", Seconds: true,
				Args: workerArgs{Workload: "finetune", Batch: 8, Size: f.Size, Classes: f.Classes, Epochs: 1}},
			{Key: "e", Title: "(e) peak memory of (b) (MiB)", MemoryOf: "b"},
		}}
	}
	f := folderSpec{Images: 1000, Classes: 10, Size: 112}
	return plan{Folder: f, Workloads: []workload{
		{Key: "a", Title: "(a) LeNet-5 training, batch 64 (images/s)",
			Args: workerArgs{Workload: "lenet5", Batch: 64, Size: 28, Warmup: 5, MinSteps: 10, Seconds: 3}},
		{Key: "b", Title: "(b) ResNet-18 training, batch 16, 112x112 (images/s)",
			Args: workerArgs{Workload: "resnet18", Batch: 16, Size: 112, Warmup: 1, MinSteps: 3, Seconds: 3}},
		{Key: "c", Title: "(c) ResNet-18 inference, batch 16, 224x224 (images/s)",
			Args: workerArgs{Workload: "infer", Batch: 16, Size: 224, Warmup: 1, MinSteps: 3, Seconds: 3}},
		{Key: "d", Title: "(d) fine-tune, frozen ResNet-18, 1000 images 112x112, 5 epochs (s)", Seconds: true,
			Args: workerArgs{Workload: "finetune", Batch: 32, Size: f.Size, Classes: f.Classes, Epochs: 5}},
		{Key: "e", Title: "(e) peak memory of (b) (MiB)", MemoryOf: "b"},
	}}
}
