package serve

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"twolayer/network"
)

// Model files and ensemble files begin with these four bytes.
const (
	modelMagic    = "2LNN"
	ensembleMagic = "2LNE"
)

// maxModelBytes is the largest model file the try-it panel loads: a
// network of m = 1,000 hidden units takes 25 MB, an ensemble of several a
// multiple of that.
const maxModelBytes = 512 << 20

// modelInfo is a model file as /api/models lists it.
type modelInfo struct {
	Path     string `json:"path"` // relative to the results folder
	Kind     string `json:"kind"` // "model" or "ensemble"
	Size     int64  `json:"size"`
	Modified int64  `json:"modified"` // ms since 1970
}

// maxModelsListed is the most model files listed.
const maxModelsListed = 200

// modelList answers GET /api/models: the model and ensemble files of the
// results folder (recognised by their first four bytes, whatever their
// names), the most recently written first.
func (s *site) modelList(w http.ResponseWriter, r *http.Request) {
	list := []modelInfo{}
	root, err := s.openRoot()
	if err != nil {
		writeJSON(w, list)
		return
	}
	defer root.Close()
	s.walk(root, func(name string, d fs.DirEntry) {
		if len(list) >= maxModelsListed || servedTypes[path.Ext(name)] != "" || hiddenName(name) {
			return // the program's other files are not models
		}
		kind := modelKind(root, name)
		if kind == "" {
			return
		}
		info, err := d.Info()
		if err != nil {
			return
		}
		list = append(list, modelInfo{Path: name, Kind: kind, Size: info.Size(), Modified: info.ModTime().UnixMilli()})
	})
	sortByNewest(list)
	writeJSON(w, list)
}

// hiddenName reports whether a part of name begins with '.'.
func hiddenName(name string) bool {
	for _, p := range strings.Split(name, "/") {
		if strings.HasPrefix(p, ".") {
			return true
		}
	}
	return false
}

// modelKind reads the first four bytes of name: "model" for a model file,
// "ensemble" for an ensemble file, "" otherwise.
func modelKind(root *os.Root, name string) string {
	f, err := root.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	var magic [4]byte
	if n, _ := f.Read(magic[:]); n < 4 {
		return ""
	}
	switch string(magic[:]) {
	case modelMagic:
		return "model"
	case ensembleMagic:
		return "ensemble"
	}
	return ""
}

func sortByNewest(list []modelInfo) {
	for i := 1; i < len(list); i++ { // insertion sort: a few files
		for j := i; j > 0 && list[j].Modified > list[j-1].Modified; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// modelCache keeps the models loaded last, so that classifying several
// images with one model reads its file once. An entry is used again only
// while its file has the same size and modification time (a training
// command may have written it again). It holds at most modelCacheSize
// files.
type modelCache struct {
	mu      sync.Mutex
	entries []*cachedModels // most recently used last
}

type cachedModels struct {
	name     string
	size     int64
	modified time.Time
	models   []*network.Model
}

const modelCacheSize = 4

func newModelCache() *modelCache { return &modelCache{} }

// loadModel returns the models of the file name of the results folder
// (relative, '/' between its parts), checked to take 32×32 colour images.
// Its errors are one line, for the page.
func (s *site) loadModel(name string) ([]*network.Model, error) {
	if name == "" {
		return nil, fmt.Errorf("choose a model")
	}
	if strings.ContainsAny(name, "\\\x00") || !fs.ValidPath(name) || name == "." || hiddenName(name) || s.isPrivate(name) {
		return nil, fmt.Errorf("refused: %q is not a file name inside the results folder", name)
	}
	root, err := s.openRoot()
	if err != nil {
		return nil, fmt.Errorf("there is no results folder")
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("no model file %s in the results folder", name)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a model file", name)
	}
	if info.Size() > maxModelBytes {
		return nil, fmt.Errorf("%s is larger than the %d MB a model file may be here", name, maxModelBytes>>20)
	}
	c := s.models
	c.mu.Lock()
	defer c.mu.Unlock() // one file loaded at a time: they are large
	for i, e := range c.entries {
		if e.name == name && e.size == info.Size() && e.modified.Equal(info.ModTime()) {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.models, nil
		}
	}
	b := make([]byte, info.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("reading %s: %v", name, err)
	}
	var magic string
	if len(b) >= 4 {
		magic = string(b[:4])
	}
	if magic != modelMagic && magic != ensembleMagic {
		return nil, fmt.Errorf("%s is not a model or ensemble file (it starts with neither %q nor %q)", name, modelMagic, ensembleMagic)
	}
	models, err := s.load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if err := checkModels(models, imageValues); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for i := range c.entries {
		if c.entries[i].name == name {
			c.entries = append(c.entries[:i:i], c.entries[i+1:]...)
			break
		}
	}
	c.entries = append(c.entries, &cachedModels{name: name, size: info.Size(), modified: info.ModTime(), models: models})
	if len(c.entries) > modelCacheSize {
		c.entries = c.entries[1:]
	}
	return models, nil
}
