package pth

// Limits bound what Read accepts from an untrusted file. The zero value
// gives defaults large enough for any vision model in torchvision or timm.
type Limits struct {
	// MaxBytes bounds the tensor data, counted twice over: the storages
	// read from the file, and the tensors produced from them (views can
	// repeat storage elements, e.g. expand's zero strides). 0 means 16 GiB.
	MaxBytes int64
	// MaxPickleBytes bounds each pickle in the file (the state dict's
	// structure, not its tensor data; ResNet-50's is 30 kB). 0 means 64 MiB.
	MaxPickleBytes int64
	// MaxPickleMemory bounds the memory the pickle virtual machine may
	// need, estimated opcode by opcode before it runs. 0 means 1 GiB.
	MaxPickleMemory int64
	// MaxTensors bounds the number of tensors and storages. 0 means 1<<20.
	MaxTensors int
}

const maxRank = 64 // PyTorch's own limit on dimensions

func (l Limits) maxBytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return 16 << 30
}

func (l Limits) maxPickleBytes() int64 {
	if l.MaxPickleBytes > 0 {
		return l.MaxPickleBytes
	}
	return 64 << 20
}

func (l Limits) maxPickleMemory() int64 {
	if l.MaxPickleMemory > 0 {
		return l.MaxPickleMemory
	}
	return 1 << 30
}

func (l Limits) maxTensors() int {
	if l.MaxTensors > 0 {
		return l.MaxTensors
	}
	return 1 << 20
}
