package store

// SetDeferIndexes turns the SQLite import's building of an empty table's
// indexes after the load on or off, and returns the function that sets it
// back.
func SetDeferIndexes(on bool) (restore func()) {
	was := deferIndexes
	deferIndexes = on
	return func() { deferIndexes = was }
}

// SetUseFeed turns the SQLite import's writing of records from a feed
// (a virtual table) on or off, and returns the function that sets it back.
func SetUseFeed(on bool) (restore func()) {
	was := useFeed
	useFeed = on
	return func() { useFeed = was }
}
