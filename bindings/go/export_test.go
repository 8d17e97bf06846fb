package cloudinfinite

// Unexported helpers the black-box tests need (this file is compiled only
// into the tests).

// DebugPanic makes the library panic and returns what reaches Go.
var DebugPanic = debugPanic

// LiveObjects counts the library's objects not yet freed.
var LiveObjects = liveObjects

// LiveCredentialsHandles counts the CredentialsFunc handles not yet deleted.
func LiveCredentialsHandles() int64 { return liveCredentialsHandles.Load() }

// LiveCancelHandles counts the ci_cancel handles not yet freed.
func LiveCancelHandles() int64 { return liveCancelHandles.Load() }

// CheckABIWith runs the load-time ABI check against a library that claims
// version and the struct sizes size returns (given the real ones).
func CheckABIWith(version uint32, size func(id uint32, real uintptr) uintptr) error {
	real := linkedABI()
	return checkABI(libraryABI{version: version, structSize: func(id uint32) uintptr { return size(id, real.structSize(id)) }})
}

// LinkedABIVersion is what the linked library says.
func LinkedABIVersion() uint32 { return linkedABI().version }

// GeneratedOperation is one entry of operations_gen.go's table.
type GeneratedOperation struct {
	Operation       Operation
	Name, SnakeName string
	Shape           Shape
	HostLevel       HostLevel
	Params          Param
	Describe, Pages string
}

// GeneratedOperations are the calls this package was generated with.
func GeneratedOperations() []GeneratedOperation {
	var out []GeneratedOperation
	for _, g := range generatedOperations {
		out = append(out, GeneratedOperation{g.operation, g.name, g.snakeName, g.shape, g.hostLevel, g.params, g.describe, g.pages})
	}
	return out
}
