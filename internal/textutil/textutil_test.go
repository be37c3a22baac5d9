package textutil

import "testing"

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"  <html>\n\t<body> x </body>\n</html> ", 100, "<html> <body> x </body> </html>"},
		{"abcdefghij", 4, "abcd…"},
		{"ééé", 3, "é…"}, // never half a rune
		{"", 5, ""},
	}
	for _, c := range cases {
		if got := Shorten(c.in, c.n); got != c.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
