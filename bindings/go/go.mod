module cloud-infinite/bindings/go

go 1.23
