package cifar

import (
	"os"
	"path/filepath"
	"strings"
)

// defaultClassNames are the class names in label order, as documented on
// the dataset's home page.
var defaultClassNames = [NumClasses]string{
	"airplane", "automobile", "bird", "cat", "deer",
	"dog", "frog", "horse", "ship", "truck",
}

// DefaultClassNames returns the documented class names in label order:
// airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
func DefaultClassNames() []string { return append([]string(nil), defaultClassNames[:]...) }

// ClassNames returns the class names in label order from the file of class
// names of the version of CIFAR-10 in dir (see Version): batches.meta.txt of
// the binary version, one name per line, CRLF or LF line ends, surrounding
// spaces and blank lines ignored; label_names of batches.meta (Python) or
// batches.meta.mat (MATLAB). When the file is absent or unreadable, or does
// not hold exactly NumClasses names, it returns DefaultClassNames().
func ClassNames(dir string) []string {
	l, _ := layoutOf(dir)
	data, err := os.ReadFile(filepath.Join(dir, l.meta))
	if err != nil {
		return DefaultClassNames()
	}
	names := l.metaClassNames(data)
	if len(names) != NumClasses {
		return DefaultClassNames()
	}
	return names
}

// parseClassNames returns the non-blank lines of text, trimmed of spaces
// and carriage returns.
func parseClassNames(text string) []string {
	var names []string
	for line := range strings.Lines(text) {
		if name := strings.TrimSpace(line); name != "" {
			names = append(names, name)
		}
	}
	return names
}
