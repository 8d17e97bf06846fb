module github.com/cloud-infinite/cloud-infinite-go

go 1.23
