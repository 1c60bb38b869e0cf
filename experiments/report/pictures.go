package report

import (
	"fmt"
	"path/filepath"
	"slices"

	"twolayer/experiments/picture"
	"twolayer/experiments/store"
)

// pictureSections adds to d the subsections that show what a trained
// network learned and where it goes wrong, from in and the pictures in dir
// (relative to the document's directory): the rows of W1, the class
// templates W2·W1, the confusion matrix, the accuracy of each class and the
// gallery of the most confident mistakes.
func pictureSections(d *document, dir string, in *store.Insight) {
	has := func(name string) bool { return slices.Contains(in.Files, name) }
	pic := func(name, alt string) {
		if has(name) {
			d.png(filepath.Join(dir, name), alt)
		}
	}
	k := len(in.Classes)

	d.h3("What each hidden unit looks for", "experiments.WritePictures", "picture.FromWeights", "picture.Grid")
	shown := "all " + fmt.Sprint(in.Units)
	if in.Units > store.WeightsShown {
		shown = fmt.Sprintf("the first %d of the %d", store.WeightsShown, in.Units)
	}
	d.p("Each picture is one row of W1 (m×3072), %s hidden units numbered in W1's order: the 3,072 weights with which a unit "+
		"weighs an image before its ReLU, drawn as the 32×32 colour image they would match best. Weights j, 1024 + j and 2048 + j "+
		"are the red, green and blue of the pixel in row j / 32 and column j %% 32 (the order of a CIFAR-10 record). "+
		"Each unit is scaled to its own range: its smallest weight is 0 and its largest 255 in every channel, so that "+
		"brightness compares within a picture, not between pictures, and mid-grey is the middle of the range. "+
		"The weights act on normalised inputs (each feature minus its training mean, divided by its standard deviation), "+
		"so a bright red pixel means: more red than usual at that place excites the unit.", shown)
	pic(store.WeightsPNG, "the weights of each hidden unit as 32×32 colour images")

	d.h3("What each class looks like to the network", "experiments.ClassTemplates", "picture.FromWeights")
	d.p("Row k of W2·W1 (K×3072 = (K×m)·(m×3072)) is the template of class k: if the ReLU let every value through, class k's "+
		"score would be this row times the image (plus a bias), so the network's score for a class grows with how much an image "+
		"looks like its template. Drawn and scaled like the units above. With the ReLU the network is more than these %d "+
		"templates, but they show what it rewards on average. Look for a colour in the middle, where the object usually is, "+
		"and along the edges, where the background is (sky, water, grass); a template without either is a class that colour "+
		"alone does not tell apart, and its accuracy below is likely low.", k)
	pic(store.TemplatesPNG, "the class templates W2·W1 as 32×32 colour images")

	d.h3("Where it goes wrong: the confusion matrix", "experiments.Inspect", "network.PredictData", "experiments.ConfusionMatrix", "picture.Confusion")
	d.p("The %d test images, each counted in the row of its true class and the column of the class the network gives it "+
		"(the most probable one). The diagonal holds the images it gets right: %d of %d, an accuracy of %s%%. "+
		"Each cell's colour is its share of its row, from white (none) to dark blue (all of the class's images).",
		in.N, trace(in.Confusion), in.N, percent2(in.Accuracy))
	pic(store.ConfusionPNG, "the confusion matrix on the test set as a heat map")
	d.styledTable(confusionTable(in))

	d.h3("Accuracy of each class", "experiments.ClassAccuracies")
	d.p("The share of each class's test images that the network gets right (the diagonal of the confusion matrix divided by its row), " +
		"from the best class to the worst, with the class its images are most often mistaken for.")
	d.table(classTable(in))

	d.h3("The most confident mistakes", "experiments.ConfidentMistakes")
	if len(in.Mistakes) == 0 {
		d.p("The network classifies every test image correctly: there is no mistake to show.")
		return
	}
	d.p("The %d misclassified test images to which the network gave the highest probability, most confident first. Under each "+
		"image: its true class, the class the network gave it (in red) and the probability of that class. The table gives the "+
		"image's index in test_batch.bin (go run . predict -file test_batch.bin -index N classifies it again) and the probability "+
		"the network left for the true class.", len(in.Mistakes))
	pic(store.MistakesPNG, "the test images the network gets most confidently wrong")
	rows := [][]string{{"rank", "test image", "true class", "predicted", "p(predicted)", "p(true class)"}}
	for i, m := range in.Mistakes {
		rows = append(rows, []string{fmt.Sprint(i + 1), fmt.Sprint(m.Index), in.Classes[m.True], in.Classes[m.Predicted],
			fmt.Sprintf("%.3f", m.Probability), fmt.Sprintf("%.3f", m.TrueProbability)})
	}
	d.table(rows)
}

// trace returns the sum of the diagonal of c.
func trace(c [][]int) int {
	t := 0
	for i := range c {
		t += c[i][i]
	}
	return t
}

// confusionTable returns the confusion matrix as table rows (true class
// down, predicted across, then the class's images and accuracy) with each
// cell coloured as in the heat map.
func confusionTable(in *store.Insight) (rows, styles [][]string) {
	head := []string{"true \\ predicted"}
	head = append(head, in.Classes...)
	rows = append(rows, append(head, "images", "accuracy"))
	styles = append(styles, nil)
	for i, row := range in.Confusion {
		total := 0
		for _, c := range row {
			total += c
		}
		cells, st := []string{in.Classes[i]}, []string{""}
		for _, c := range row {
			f := 0.0
			if total > 0 {
				f = float64(c) / float64(total)
			}
			col := picture.HeatColor(f)
			ink := "#000"
			if f > 0.5 {
				ink = "#fff"
			}
			cells = append(cells, fmt.Sprint(c))
			st = append(st, fmt.Sprintf("background:#%02x%02x%02x;color:%s", col.R, col.G, col.B, ink))
		}
		rows = append(rows, append(cells, fmt.Sprint(total), percent2(in.ClassAccuracy[i])))
		styles = append(styles, st)
	}
	return rows, styles
}

// classTable lists the classes from the most accurate to the least, each
// with the class its images are most often put in instead.
func classTable(in *store.Insight) [][]string {
	order := make([]int, len(in.Classes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case in.ClassAccuracy[a] > in.ClassAccuracy[b]:
			return -1
		case in.ClassAccuracy[a] < in.ClassAccuracy[b]:
			return 1
		}
		return 0
	})
	rows := [][]string{{"class", "test images", "right", "accuracy", "most often mistaken for"}}
	for _, i := range order {
		row := in.Confusion[i]
		total, worst := 0, -1
		for j, c := range row {
			total += c
			if j != i && c > 0 && (worst < 0 || c > row[worst]) {
				worst = j
			}
		}
		confused := "—"
		if worst >= 0 {
			confused = fmt.Sprintf("%s (%d)", in.Classes[worst], row[worst])
		}
		rows = append(rows, []string{in.Classes[i], fmt.Sprint(total), fmt.Sprint(row[i]), percent2(in.ClassAccuracy[i]), confused})
	}
	return rows
}

// percent2 formats a share as a percentage with two decimals (0 is "0.00",
// unlike pct's "—" for a missing value).
func percent2(v float64) string { return fmt.Sprintf("%.2f", 100*v) }
