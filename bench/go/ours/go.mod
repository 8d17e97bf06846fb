module cloud-infinite/bench/ours

go 1.23

require (
	cloud-infinite/bench/benchkit v0.0.0
	cloud-infinite/bindings/go v0.0.0
)

replace (
	cloud-infinite/bench/benchkit => ../benchkit
	cloud-infinite/bindings/go => ../../../bindings/go
)
