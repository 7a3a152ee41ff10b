// Package pth reads PyTorch checkpoints written by
// torch.save(model.state_dict(), path) into safetensors tensors that
// graph.Store.LoadTensors loads by name. (The config.json files of timm
// and Hugging Face are package zoo/hub.)
//
// Both of torch.save's formats are read:
//
//   - the zip format (PyTorch ≥ 1.6): <folder>/data.pkl is a pickle of the
//     state dict whose tensors point, through persistent ids, at raw
//     storages stored as <folder>/data/<key>; the folder's name varies
//     (the file's stem, or "archive");
//   - the legacy format (_use_new_zipfile_serialization=False, and every
//     file older than PyTorch 1.6): five pickles in a row (magic number,
//     protocol version, system info, the state dict, the list of storage
//     keys), then each storage as an 8-byte little-endian element count
//     followed by its raw bytes.
//
// A checkpoint that wraps the state dict in a dict under "state_dict",
// "model_state_dict" or "model" is unwrapped, and the "module." prefix that
// nn.DataParallel puts on every name is removed.
//
// # Untrusted input
//
// A pickle is a program: unpickling an arbitrary file with Python's pickle
// module can run any code. pth never runs Python. The pickle is first walked
// opcode by opcode without being executed: every length is checked against
// the bytes that remain and against Limits, the memory the virtual machine
// would need is estimated and bounded, and every global the pickle names is
// checked against an allow-list (OrderedDict, the tensor rebuild functions,
// the storage types, torch.Size). Only then does the pickle virtual machine
// of github.com/nlpodyssey/gopickle run, with globals resolved to Go values
// that build descriptions of tensors; anything outside the allow-list is
// refused with a *RefusedError naming it. Storage keys, element counts,
// offsets, shapes and strides are checked against the storages' sizes
// before any tensor data is copied, and no panic escapes the package.
package pth
