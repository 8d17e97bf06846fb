module cloud-infinite/soak

go 1.23

require github.com/cloud-infinite/cloud-infinite-go v0.0.0

replace github.com/cloud-infinite/cloud-infinite-go => ../../bindings/go
