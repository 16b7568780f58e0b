package lang

import "testing"

func TestFromEnv(t *testing.T) {
	cases := []struct {
		env, gonbDir string
		want         Lang
		err          bool
	}{
		{"", "", English, false},
		{"", "/home/u/course/notebooks", English, false},
		{"", "/home/u/course/notebooks/zh", Chinese, false},
		{"", "/home/u/course/notebooks/zh/", Chinese, false},
		{"", "/home/u/zhang/notebooks", English, false},
		{"en", "/home/u/course/notebooks/zh", English, false},
		{"zh", "", Chinese, false},
		{" zh ", "", Chinese, false},
		{"cn", "", "", true},
		{"EN", "", "", true},
	}
	for _, c := range cases {
		t.Setenv(Env, c.env)
		t.Setenv("GONB_DIR", c.gonbDir)
		got, err := FromEnv()
		if c.err {
			if err == nil || got != "" {
				t.Errorf("%s=%q: got %q, %v; want an error", Env, c.env, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s=%q GONB_DIR=%q: got %q, %v; want %q", Env, c.env, c.gonbDir, got, err, c.want)
		}
	}
}

func TestT(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(Env, "zh")
	if got := T("depth", "深度"); got != "深度" {
		t.Errorf("zh: T = %q", got)
	}
	t.Setenv(Env, "en")
	if got := T("depth", "深度"); got != "depth" {
		t.Errorf("en: T = %q", got)
	}
	t.Setenv(Env, "fr")
	defer func() {
		if r := recover(); r == nil {
			t.Error("T with RNN_COURSE_LANG=fr did not panic")
		}
	}()
	T("depth", "深度")
}
