module cloud-infinite/bench/ours

go 1.23

require (
	cloud-infinite/bench/benchkit v0.0.0
	github.com/cloud-infinite/cloud-infinite-go v0.0.0
)

replace (
	cloud-infinite/bench/benchkit => ../benchkit
	github.com/cloud-infinite/cloud-infinite-go => ../../../bindings/go
)
