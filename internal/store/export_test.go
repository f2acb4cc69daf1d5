package store

// SetDeferIndexes turns the SQLite import's building of an empty table's
// indexes after the load on or off, and returns the function that sets it
// back.
func SetDeferIndexes(on bool) (restore func()) {
	was := deferIndexes
	deferIndexes = on
	return func() { deferIndexes = was }
}
