module cloud-infinite/bench/benchkit

go 1.23
