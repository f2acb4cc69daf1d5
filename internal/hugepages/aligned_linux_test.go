package hugepages

// aligned: Map puts mappings of 2 MB or more on a huge page's boundary.
const aligned = true
