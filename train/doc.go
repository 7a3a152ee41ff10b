// Package train runs training: a Trainer fits a model (a graph.Layer over a
// graph.Store) with any gorgonia.Solver on batches from data.Loaders,
// evaluates it, keeps a History of per-epoch metrics, reports progress,
// applies learning-rate schedules, calls callbacks (early stopping, gradual
// unfreezing) and checkpoints so that an interrupted run resumes exactly.
//
// FindLR sweeps the learning rate exponentially (fastai's lr_find) and
// suggests one (package train/plot draws it, the History and the Confusion);
// Confusion reports accuracy, top-k and per-class precision, recall and F1.
//
// Programs are compiled lazily and cached by (mode, batch size); after
// freezing or unfreezing parameters, call Trainer.Invalidate so the next
// step compiles graphs that differentiate the new set.
package train
