package config

import (
	"fmt"
	"net/netip"
)

// Tier is one layer of subnets.
type Tier string

const (
	// TierPublic holds the load balancer and the NAT gateways.
	TierPublic Tier = "public"
	// TierPrivate holds the services and the one-off migration task.
	TierPrivate Tier = "private"
	// TierDatabase holds the database; it has no route to the internet.
	TierDatabase Tier = "database"
)

// Tiers lists the subnet tiers in plan order.
var Tiers = []Tier{TierPublic, TierPrivate, TierDatabase}

// SubnetPlan maps each tier to one CIDR per AZ, in AZ order.
type SubnetPlan map[Tier][]string

// Subnets derives every subnet CIDR from the VPC CIDR. This is the one place
// the addressing is decided: the VPC is cut into 16 equal blocks (a /16 gives
// /20s, a /24 gives /28s); tier t, AZ i takes block 4*t+i, so each tier has
// room for a fourth AZ and the last four blocks stay free for later tiers.
func (n Network) Subnets() (SubnetPlan, error) {
	vpc, err := netip.ParsePrefix(n.CIDR)
	if err != nil {
		return nil, fmt.Errorf("network.cidr %q: %w", n.CIDR, err)
	}
	const newBits = 4
	plan := SubnetPlan{}
	for t, tier := range Tiers {
		for az := 0; az < n.AZCount; az++ {
			block, err := subnet(vpc, newBits, 4*t+az)
			if err != nil {
				return nil, err
			}
			plan[tier] = append(plan[tier], block.String())
		}
	}
	return plan, nil
}

// subnet is Terraform's cidrsubnet for IPv4.
func subnet(base netip.Prefix, newBits, num int) (netip.Prefix, error) {
	bits := base.Bits() + newBits
	if bits > 28 {
		return netip.Prefix{}, fmt.Errorf("%s cannot hold /%d subnets (AWS minimum is /28)", base, bits)
	}
	a := base.Masked().Addr().As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= uint32(num) << (32 - bits)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), bits), nil
}
