// Package safetensors reads and writes the safetensors file format used by
// Hugging Face and PyTorch (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length, a JSON header mapping each tensor
// name to its dtype, shape and byte range, then the raw little-endian data.
//
// Files are treated as untrusted input: the header size, every shape and
// every byte range are checked against the file size and against limits
// before anything is allocated.
package safetensors
