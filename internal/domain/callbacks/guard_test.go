package callbacks

import (
	"net/netip"
	"testing"
)

func TestGuard(t *testing.T) {
	g, err := NewGuard([]string{"127.0.0.1/32", "10.9.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ip     string
		reason string // "" = allowed
	}{
		{"93.184.215.14", ""},
		{"2606:2800:21f:cb07::1", ""},
		{"127.0.0.1", ""},         // allowed by the list
		{"10.9.1.2", ""},          // allowed by the list
		{"127.0.0.2", "loopback"}, // the list names one address only
		{"::1", "loopback"},
		{"::ffff:127.0.0.2", "loopback"}, // IPv4-mapped
		{"10.0.0.1", "private"},
		{"172.16.5.4", "private"},
		{"192.168.1.1", "private"},
		{"fd00::1", "private"},
		{"169.254.169.254", "link-local"}, // cloud metadata
		{"fe80::1", "link-local"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.254", "carrier-grade NAT"},
		{"0.0.0.0", "unspecified"},
		{"239.1.2.3", "multicast"},
		{"64:ff9b::a00:1", "NAT64"},
		{"255.255.255.255", "reserved"},
	}
	for _, c := range cases {
		err := g.Check(netip.MustParseAddr(c.ip))
		r, refused := AsRefused(err)
		switch {
		case c.reason == "" && err != nil:
			t.Errorf("%s refused: %v", c.ip, err)
		case c.reason != "" && (!refused || r.Reason != c.reason):
			t.Errorf("%s: got %v, want refused as %s", c.ip, err, c.reason)
		}
	}
	if _, err := NewGuard([]string{"not-a-cidr"}); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}
