package app

import (
	"strings"
	"testing"

	"einordnung/db"
)

// AdminRoute is one row of the admin route table as the tests of package
// app_test see it: method, path and the name of the rule that guards it.
type AdminRoute struct {
	Method, Path, Rule string
}

// AdminRouteTable returns the table every /admin route is registered from
// (see New). It exists only in tests, so that the external tests, which
// drive the app through its HTTP interface, can walk every route with the
// rule the code declares for it. The table depends only on the handler's
// methods, not on its state, so a handler on the given store suffices.
func AdminRouteTable(store *db.Store) []AdminRoute {
	h := &handler{store: store, cfg: Config{Secret: make([]byte, 32)}}
	var out []AdminRoute
	for _, r := range h.adminRoutes() {
		out = append(out, AdminRoute{Method: r.method, Path: r.path, Rule: r.rule.String()})
	}
	return out
}

// TestAdminRouteTableIsWellFormed checks the table itself; the behaviour of
// every route under its rule is walked by TestEveryAdminRouteIsGuarded (in
// admin_test.go, which has the HTTP client helpers).
func TestAdminRouteTableIsWellFormed(t *testing.T) {
	// The rule names the external test switches on: a renamed or new rule
	// must be taught to it.
	names := map[access]string{public: "public", signedIn: "signed in", anyLead: "lead", cohortMember: "cohort member", adminOnly: "admin"}
	for rule, name := range names {
		if got := rule.String(); got != name {
			t.Errorf("access(%d).String() = %q, want %q", rule, got, name)
		}
	}
	// Public admin routes are the exception: each one is a decision.
	publicAllowed := map[string]bool{"GET /admin/login": true, "POST /admin/login": true}

	seen := map[string]bool{}
	for _, r := range (&handler{cfg: Config{Secret: make([]byte, 32)}, store: &db.Store{}}).adminRoutes() {
		key := r.method + " " + r.path
		t.Run(key, func(t *testing.T) {
			if seen[key] {
				t.Fatalf("%s is in the table twice", key)
			}
			seen[key] = true
			if _, ok := names[r.rule]; !ok {
				t.Fatalf("unknown rule %d", r.rule)
			}
			if r.path != "/admin" && !strings.HasPrefix(r.path, "/admin/") {
				t.Errorf("path %q is outside /admin", r.path)
			}
			if len(r.handlers) == 0 {
				t.Error("no handler")
			}
			if r.rule == public && !publicAllowed[key] {
				t.Errorf("%s is public; only the login page may be", key)
			}
			// The guard checks the cohort named by :id, and only for
			// cohortMember routes: a route with :id under another rule would
			// show any cohort to any lead; a cohortMember route without :id
			// would always answer 404.
			if hasID := strings.Contains(r.path, "/:id"); hasID != (r.rule == cohortMember) {
				t.Errorf("path has :id = %v but rule is %s", hasID, r.rule)
			}
			// What each part of the area requires at least, stated apart
			// from the table: a route given a weaker rule by mistake fails
			// here, since the walk can only check the rule the table names.
			if want := minimumRule(r.path); r.rule < want {
				t.Errorf("guarded by %q, want at least %q", r.rule, want)
			}
		})
	}
}

// minimumRule is the weakest rule a path may have: accounts and the audit
// log are for administrators, a cohort's pages for its leads, everything
// else but signing in, out and changing the password for leads whose
// password is set.
func minimumRule(path string) access {
	switch {
	case path == "/admin/login":
		return public
	case path == "/admin/logout", path == "/admin/password":
		return signedIn
	case path == "/admin/users", strings.HasPrefix(path, "/admin/users/"), path == "/admin/audit", strings.HasPrefix(path, "/admin/audit/"):
		return adminOnly
	case strings.Contains(path, "/:id"):
		return cohortMember
	}
	return anyLead
}
