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
	// A catalog message: its Chinese comes from zh.tsv, the old second argument is ignored.
	if got := T("yes"); got != "是" {
		t.Errorf("zh: T(yes) = %q", got)
	}
	if got := T("yes", "对"); got != "是" {
		t.Errorf("zh: T(yes, 对) = %q, want the catalog's 是", got)
	}
	// Not in the catalog: the old form's Chinese, else the English.
	if got := T("a message the catalog lacks", "目录里没有的消息"); got != "目录里没有的消息" {
		t.Errorf("zh: legacy T = %q", got)
	}
	if got := T("a message the catalog lacks"); got != "a message the catalog lacks" {
		t.Errorf("zh: unknown T = %q", got)
	}
	t.Setenv(Env, "en")
	if got := T("yes", "对"); got != "yes" {
		t.Errorf("en: T = %q", got)
	}
	t.Setenv(Env, "fr")
	defer func() {
		if r := recover(); r == nil {
			t.Error("T with RNN_COURSE_LANG=fr did not panic")
		}
	}()
	T("depth")
}
