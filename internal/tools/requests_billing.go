package tools

import (
	"fmt"
	"strings"
)

// BillingRequests are the billing tool's operations.
type BillingRequests struct {
	ListAddons  ListProjectAddons
	ApplyAddon  ApplyProjectAddon
	RemoveAddon RemoveProjectAddon
}

type ListProjectAddons struct{ ProjectRef }

// ApplyProjectAddon's addon_type lists only the types the spec gives
// variants for in this body (auth_mfa_phone, auth_mfa_web_authn and
// log_drain have none, so they cannot be applied here).
// addon_variant is the union of the spec's oneOf of per-type enums.
type ApplyProjectAddon struct {
	ProjectRef
	AddonType    string `json:"addon_type" jsonschema:"required,enum=compute_instance,enum=custom_domain,enum=pitr,enum=ipv4" jsonschema_description:"Type."`
	AddonVariant string `json:"addon_variant" jsonschema:"required,enum=ci_micro,enum=ci_small,enum=ci_medium,enum=ci_large,enum=ci_xlarge,enum=ci_2xlarge,enum=ci_4xlarge,enum=ci_8xlarge,enum=ci_12xlarge,enum=ci_16xlarge,enum=ci_24xlarge,enum=ci_24xlarge_optimized_cpu,enum=ci_24xlarge_optimized_memory,enum=ci_24xlarge_high_memory,enum=ci_48xlarge,enum=ci_48xlarge_optimized_cpu,enum=ci_48xlarge_optimized_memory,enum=ci_48xlarge_high_memory,enum=cd_default,enum=pitr_7,enum=pitr_14,enum=pitr_28,enum=ipv4_default" jsonschema_description:"Variant."`
}

// addonTypeOf is the add-on type a variant belongs to.
func addonTypeOf(variant string) string {
	switch {
	case strings.HasPrefix(variant, "ci_"):
		return "compute_instance"
	case strings.HasPrefix(variant, "pitr_"):
		return "pitr"
	case variant == "cd_default":
		return "custom_domain"
	case variant == "ipv4_default":
		return "ipv4"
	}
	return ""
}

// Validate checks that the variant belongs to the type.
func (r ApplyProjectAddon) Validate() error {
	if t := addonTypeOf(r.AddonVariant); t != r.AddonType {
		return fmt.Errorf("addon_variant %s is a %s variant, not %s", r.AddonVariant, t, r.AddonType)
	}
	return nil
}

type RemoveProjectAddon struct {
	ProjectRef
	AddonVariant string `json:"addon_variant" in:"path" jsonschema:"required,enum=ci_micro,enum=ci_small,enum=ci_medium,enum=ci_large,enum=ci_xlarge,enum=ci_2xlarge,enum=ci_4xlarge,enum=ci_8xlarge,enum=ci_12xlarge,enum=ci_16xlarge,enum=ci_24xlarge,enum=ci_24xlarge_optimized_cpu,enum=ci_24xlarge_optimized_memory,enum=ci_24xlarge_high_memory,enum=ci_48xlarge,enum=ci_48xlarge_optimized_cpu,enum=ci_48xlarge_optimized_memory,enum=ci_48xlarge_high_memory,enum=cd_default,enum=pitr_7,enum=pitr_14,enum=pitr_28,enum=ipv4_default" jsonschema_description:"Variant."`
}
