package onnx

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/internal/atomicfile"
	pb "github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb"
)

const (
	// Opset is the version of the default ONNX operator set the models
	// use.
	Opset = 17
	// IRVersion is the ONNX IR version of the models (ONNX 1.12).
	IRVersion = 8
	// InputName and OutputName name the graph's input and output.
	InputName  = "input"
	OutputName = "logits"
	// batchParam names the dynamic batch dimension.
	batchParam = "batch"
	// producer is the ModelProto's producer_name.
	producer   = "tanren"
	modulePath = "github.com/tanren-ml/tanren"
)

// Config says what to export. Only Input is required.
type Config struct {
	// Input is the shape of one input, without the batch dimension:
	// (C, H, W) for images, such as zoo.Info's Channels, Height and
	// Width. It is fixed in the ONNX model; the batch dimension is not.
	Input []int
	// GraphName names the ONNX graph; "" means "tanren".
	GraphName string
	// DocString describes the model (ModelProto.doc_string).
	DocString string
	// Metadata is stored as the model's metadata_props (for example the
	// class names and the preprocessing), sorted by key.
	Metadata map[string]string
}

// WriteFile exports model over store (see Marshal) to the file path,
// atomically: an error leaves any existing file as it was.
func WriteFile(path string, store *graph.Store, model graph.Layer, cfg Config) error {
	data, err := Marshal(store, model, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Marshal exports model over store, in evaluation mode, as an encoded ONNX
// ModelProto. The store must hold every tensor the model uses (loaded
// weights, or those a compilation created); it is not changed.
func Marshal(store *graph.Store, model graph.Layer, cfg Config) ([]byte, error) {
	m, err := build(store, model, cfg)
	if err != nil {
		return nil, err
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("onnx export: encoding the model: %w", err)
	}
	return data, nil
}

// build exports the model as a ModelProto.
func build(store *graph.Store, model graph.Layer, cfg Config) (*pb.ModelProto, error) {
	if store == nil || model == nil {
		return nil, errors.New("onnx export: nil store or model")
	}
	if len(cfg.Input) == 0 {
		return nil, errors.New("onnx export: Config.Input is empty: give the shape of one input without the batch dimension, e.g. [3 224 224]")
	}
	for _, d := range cfg.Input {
		if d <= 0 {
			return nil, fmt.Errorf("onnx export: invalid Config.Input %v: every dimension must be positive", cfg.Input)
		}
	}
	g := &graphState{store: store, names: map[string]bool{InputName: true, OutputName: true}, tensors: map[string]Value{}, scalars: map[float32]Value{}}
	// Generated names never take a Store name, whatever the order in which
	// layers ask for tensors.
	for _, v := range store.Vars() {
		g.names[v.Name] = true
	}
	in := Value{name: InputName, shape: append([]int{Batch}, cfg.Input...)}
	out, err := (&Builder{g: g}).Call("", model, in)
	if err != nil {
		return nil, fmt.Errorf("onnx export: %w", err)
	}
	want, err := tanrenOutputShape(store, model, cfg.Input)
	if err != nil {
		return nil, fmt.Errorf("onnx export: %w", err)
	}
	if out.shape == nil {
		out.shape = want
	} else if !slices.Equal(out.shape, want) {
		return nil, fmt.Errorf("onnx export: the exporters give the output shape %s, tanren's model %s: an exporter is wrong", shapeString(out.shape), shapeString(want))
	}
	g.nameOutput(out)
	name := cfg.GraphName
	if name == "" {
		name = producer
	}
	m := &pb.ModelProto{
		IrVersion:       IRVersion,
		OpsetImport:     []*pb.OperatorSetIdProto{{Domain: "", Version: Opset}},
		ProducerName:    producer,
		ProducerVersion: moduleVersion(),
		DocString:       cfg.DocString,
		Graph: &pb.GraphProto{
			Name:        name,
			Node:        g.nodes,
			Initializer: g.inits,
			Input:       []*pb.ValueInfoProto{valueInfo(InputName, in.shape)},
			Output:      []*pb.ValueInfoProto{valueInfo(OutputName, out.shape)},
			ValueInfo:   g.infos,
		},
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Metadata)) {
		m.MetadataProps = append(m.MetadataProps, &pb.StringStringEntryProto{Key: k, Value: cfg.Metadata[k]})
	}
	return m, nil
}

// tanrenOutputShape compiles the model for one sample in evaluation mode,
// which checks its configuration as tanren does, and returns its output
// shape with the batch dimension as Batch. The exporters have read every
// tensor they need from the store, so a tensor the compilation creates is
// one the ONNX graph would lack: it is removed again and reported.
func tanrenOutputShape(store *graph.Store, model graph.Layer, sample []int) ([]int, error) {
	before := store.Len()
	p, err := graph.Compile(store, model, graph.Spec{Mode: graph.Eval, Input: tensor.Shape(append([]int{1}, sample...))})
	var created []string
	for _, v := range store.Vars()[before:] {
		created = append(created, v.Name)
	}
	if len(created) > 0 {
		if _, rerr := store.Remove(created...); rerr != nil {
			return nil, rerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tanren cannot build the model for an input of shape %v: %w", sample, err)
	}
	defer p.Close()
	if len(created) > 0 {
		return nil, fmt.Errorf("the model uses tensors that its ONNX exporters left out: %s (an exporter is wrong)", strings.Join(created, ", "))
	}
	shape := []int(p.OutputShape())
	if len(shape) == 0 || shape[0] != 1 {
		return nil, fmt.Errorf("the model's output %v for a batch of one has no batch dimension first", p.OutputShape())
	}
	shape[0] = Batch
	return shape, nil
}

// nameOutput makes v the graph output "logits": the node computing it is
// given that output name, or, when v is the input or an initializer, an
// Identity node computes it.
func (g *graphState) nameOutput(v Value) {
	for _, n := range g.nodes {
		for i, o := range n.Output {
			if o == v.name {
				n.Output[i] = OutputName
				g.renameUses(v.name, OutputName)
				return
			}
		}
	}
	g.nodes = append(g.nodes, &pb.NodeProto{OpType: "Identity", Name: OutputName, Input: []string{v.name}, Output: []string{OutputName}})
}

// renameUses renames the value from to to wherever it is read, and drops
// its value_info (the graph output declares it).
func (g *graphState) renameUses(from, to string) {
	for _, n := range g.nodes {
		for i, in := range n.Input {
			if in == from {
				n.Input[i] = to
			}
		}
	}
	g.infos = slices.DeleteFunc(g.infos, func(vi *pb.ValueInfoProto) bool { return vi.Name == from })
}

// moduleVersion is tanren's module version as built into the program, or
// "" when unknown.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			return d.Version
		}
	}
	return ""
}
