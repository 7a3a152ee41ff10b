package zoo

import (
	L "github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/layers/onnx"
)

// The zoo's architectures export to ONNX as the layers they are built of.
var (
	_ onnx.Exporter = ResNet{}
	_ onnx.Exporter = MobileNetV2{}
	_ onnx.Exporter = tvConv{}
	_ onnx.Exporter = tvLinear{}
)

// ExportONNX implements onnx.Exporter.
func (r ResNet) ExportONNX(b *onnx.Builder, x onnx.Value) (onnx.Value, error) {
	return exportBuilt(b, r, x)
}

// ExportONNX implements onnx.Exporter.
func (m MobileNetV2) ExportONNX(b *onnx.Builder, x onnx.Value) (onnx.Value, error) {
	return exportBuilt(b, m, x)
}

// exportBuilt exports the tree of layers an architecture builds.
func exportBuilt(b *onnx.Builder, a sequentialBuilder, x onnx.Value) (onnx.Value, error) {
	net, err := a.build()
	if err != nil {
		return onnx.Value{}, err
	}
	return b.Call("", net, x)
}

// ExportONNX implements onnx.Exporter: a tvConv differs from a
// layers.Conv2d only in its initialization.
func (c tvConv) ExportONNX(b *onnx.Builder, x onnx.Value) (onnx.Value, error) {
	return b.Call("", L.Conv2d(c), x)
}

// ExportONNX implements onnx.Exporter: a tvLinear differs from a
// layers.Linear only in its initialization.
func (l tvLinear) ExportONNX(b *onnx.Builder, x onnx.Value) (onnx.Value, error) {
	return b.Call("", L.Linear{In: l.In, Out: l.Out}, x)
}
