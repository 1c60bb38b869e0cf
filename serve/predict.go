package serve

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the try-it panel decodes JPEG
	_ "image/png"  // and PNG images
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"twolayer/experiments/picture"
	"twolayer/network"
)

// imageValues is the number of values of a CIFAR-10 image, d.
const imageValues = picture.Size

// TopUnits is the number of hidden units the try-it panel shows for an
// image: those with the largest activations.
const TopUnits = 8

// prediction is the answer of /api/predict: what the network sees and what
// it makes of it.
type prediction struct {
	Model   string `json:"model"`
	Members int    `json:"members"` // networks averaged (1 for a model file)
	Source  string `json:"source"`  // e.g. "a 640×480 JPEG image", "test image 12"
	// Input is the 32×32 image the network sees, as a PNG data URL: the
	// middle square of the image, scaled by area averaging (picture.ToCIFAR,
	// as the predict command).
	Input         string   `json:"input"`
	Classes       []string `json:"classes"`
	Probabilities []number `json:"probabilities"` // one per class, the ensemble's mean
	Label         int      `json:"label"`         // the most probable class
	Truth         *int     `json:"truth"`         // the test image's label, null for an upload
	Hidden        int      `json:"hidden"`        // m, of the first network
	// Units are the hidden units of the first network that the image
	// excites most: the largest activations h = max(0, W1·x + b1) of the
	// normalised image x, largest first, with the pictures of their
	// weights (as data URLs).
	Units []unitActivation `json:"units"`
}

type unitActivation struct {
	Unit       int    `json:"unit"`
	Activation number `json:"activation"`
	Weights    string `json:"weights"`
}

// predictUpload answers POST /api/predict?model=M: the request's body is a
// PNG or JPEG image of any size, sent as it is (not as a form). It is
// refused beyond MaxUploadBytes, or when its header declares more than
// MaxUploadPixels, before it is decoded; an image that is not PNG or JPEG,
// or is damaged, is a one-line message for the page.
func (s *site) predictUpload(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("model")
	models, err := s.loadModel(name)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	tooLarge := fmt.Sprintf("the image file is larger than %d MB; make it smaller first", s.lim.maxUpload>>20)
	if r.ContentLength > s.lim.maxUpload {
		apiError(w, http.StatusRequestEntityTooLarge, tooLarge)
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.lim.maxUpload))
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			apiError(w, http.StatusRequestEntityTooLarge, tooLarge)
		} else {
			apiError(w, http.StatusBadRequest, "the upload broke off: "+err.Error())
		}
		return
	}
	if len(b) == 0 {
		apiError(w, http.StatusBadRequest, "no image: drop, paste or choose a PNG or JPEG file")
		return
	}
	// At most lim.decoders images are decoded at once (see limits); the
	// others wait their turn.
	select {
	case s.decoding <- struct{}{}:
		defer func() { <-s.decoding }()
	case <-r.Context().Done():
		return
	}
	img, source, status, err := decodeImage(b, s.lim.maxPixels)
	if err != nil {
		apiError(w, status, err.Error())
		return
	}
	s.answer(w, name, models, picture.ToCIFAR(img), nil, source)
}

// decodeImage decodes a PNG or JPEG image, after checking from its header
// that it has at most maxPixels pixels. It returns the image and what it
// is ("a 640×480 JPEG image"), or the HTTP status and a one-line error.
func decodeImage(b []byte, maxPixels int64) (image.Image, string, int, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	kind := strings.ToUpper(format)
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", http.StatusUnsupportedMediaType, errors.New("this is not a PNG or JPEG image")
		}
		return nil, "", http.StatusUnprocessableEntity, fmt.Errorf("this %s image is damaged (%v)", kind, err)
	}
	if format != "png" && format != "jpeg" {
		return nil, "", http.StatusUnsupportedMediaType, fmt.Errorf("this is a %s image; give a PNG or JPEG", kind)
	}
	w, h := int64(cfg.Width), int64(cfg.Height)
	switch {
	case w < 1 || h < 1:
		return nil, "", http.StatusUnprocessableEntity, fmt.Errorf("this %s image is empty (%d×%d pixels)", kind, w, h)
	case w*h > maxPixels:
		return nil, "", http.StatusRequestEntityTooLarge, fmt.Errorf("this %s image has %d×%d pixels, more than the %d megapixels decoded here; make it smaller first", kind, w, h, maxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, "", http.StatusUnprocessableEntity, fmt.Errorf("this %s image is damaged (%v)", kind, err)
	}
	return img, fmt.Sprintf("a %d×%d %s image", w, h, kind), 0, nil
}

// predictTest answers GET /api/predict?model=M&test=I: test image I
// classified, with its label.
func (s *site) predictTest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("model")
	models, err := s.loadModel(name)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	x, label, status, err := s.testPixels(q.Get("test"))
	if err != nil {
		apiError(w, status, err.Error())
		return
	}
	s.answer(w, name, models, x, &label, "test image "+q.Get("test"))
}

// testPixels returns test image index (as text) as the 3,072 values
// byte/255 that training uses, and its label, or the HTTP status and a
// one-line error.
func (s *site) testPixels(index string) ([]float64, int, int, error) {
	if s.test == nil || s.test.Len() == 0 {
		return nil, 0, http.StatusNotFound, errors.New("no test images are served here")
	}
	n := s.test.Len()
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= n {
		return nil, 0, http.StatusNotFound, fmt.Errorf("no test image %q: give an index from 0 to %d", index, n-1)
	}
	pixels, label := s.test.Image(i)
	if len(pixels) != imageValues {
		return nil, 0, http.StatusInternalServerError, fmt.Errorf("test image %d has %d values, not %d", i, len(pixels), imageValues)
	}
	x := make([]float64, imageValues)
	for j, v := range pixels {
		x[j] = float64(v) / 255
	}
	return x, label, 0, nil
}

// answer classifies x (3,072 raw values) with the models and sends the
// prediction.
func (s *site) answer(w http.ResponseWriter, name string, models []*network.Model, x []float64, truth *int, source string) {
	probs, label, hidden := classify(models, x)
	first := models[0]
	p := prediction{
		Model: name, Members: len(models), Source: source,
		Classes: first.Classes, Label: label, Truth: truth, Hidden: len(hidden),
		Units: []unitActivation{},
	}
	if len(p.Classes) == 0 {
		for k := range probs {
			p.Classes = append(p.Classes, strconv.Itoa(k))
		}
	}
	for _, v := range probs {
		p.Probabilities = append(p.Probabilities, number(v))
	}
	in, err := pixelsPicture(x)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "drawing the input: "+err.Error())
		return
	}
	p.Input = dataURL(in)
	for _, u := range mostExcited(hidden, TopUnits) {
		png, err := weightsPicture(first.Params.W1.Row(u))
		if err != nil {
			apiError(w, http.StatusInternalServerError, "drawing a unit: "+err.Error())
			return
		}
		p.Units = append(p.Units, unitActivation{Unit: u, Activation: number(hidden[u]), Weights: dataURL(png)})
	}
	writeJSON(w, p)
}

// mostExcited returns the indices of the n largest positive activations
// of h, largest first (the lower index first on ties).
func mostExcited(h []float64, n int) []int {
	var idx []int
	for i, v := range h {
		if v > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case h[a] > h[b]:
			return -1
		case h[a] < h[b]:
			return 1
		}
		return 0
	})
	return idx[:min(n, len(idx))]
}

// dataURL is a PNG file as a data: URL, to put in an <img>.
func dataURL(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// testInfo answers GET /api/test: {"count": n}, the number of test images
// (0 when none are served).
func (s *site) testInfo(w http.ResponseWriter, r *http.Request) {
	n := 0
	if s.test != nil {
		n = s.test.Len()
	}
	writeJSON(w, map[string]int{"count": n})
}

// testImage answers GET /api/test/{index}: test image I as a 32×32 PNG.
func (s *site) testImage(w http.ResponseWriter, r *http.Request) {
	x, _, status, err := s.testPixels(r.PathValue("index"))
	if err != nil {
		apiError(w, status, err.Error())
		return
	}
	b, err := pixelsPicture(x)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(b)
}
