module github.com/tanren-ml/tanren/graph/fastblas/internal/asmgen

go 1.26

require github.com/mmcloughlin/avo v0.5.0 // indirect
