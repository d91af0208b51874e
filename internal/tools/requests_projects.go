package tools

import "errors"

// ProjectsRequests are the projects tool's operations.
type ProjectsRequests struct {
	List                  ListProjects
	Get                   GetProject
	Create                CreateProject
	Delete                DeleteProject
	Pause                 PauseProject
	Restore               RestoreProject
	CancelRestore         CancelProjectRestore
	ListRestoreVersions   ListProjectRestoreVersions
	ListRegions           ListAvailableRegions
	GetHealth             GetProjectHealth
	GetUpgradeEligibility GetUpgradeEligibility
	GetUpgradeStatus      GetUpgradeStatus
	Update                UpdateProject
	Upgrade               UpgradeProject
	GetClaimToken         GetProjectClaimToken
	CreateClaimToken      CreateProjectClaimToken
	DeleteClaimToken      DeleteProjectClaimToken
	GetURL                GetProjectURL
	GetPublishableKeys    GetPublishableKeys
}

type ListProjects struct{ NoArguments }

type GetProject struct{ ProjectRef }

// CreateProject leaves out the spec's deprecated fields (organization_id,
// plan, region, kps_enabled): region_selection replaces region.
type CreateProject struct {
	Name             string           `json:"name" jsonschema:"required" check:"maxLength=256" jsonschema_description:"Project name."`
	OrganizationSlug string           `json:"organization_slug" jsonschema:"required" check:"pattern=^[\\w-]+$" jsonschema_description:"Organization slug."`
	DBPass           string           `json:"db_pass" secret:"true" jsonschema:"required,minLength=8" jsonschema_description:"Postgres password. Omit: user types it."`
	RegionSelection  *RegionSelection `json:"region_selection" list:"object" jsonschema:"required" jsonschema_description:"{type: specific|smartGroup, code: a region (list_regions) or americas|emea|apac}."`
	InstanceSize     string           `json:"desired_instance_size,omitempty" jsonschema:"enum=nano,enum=micro,enum=small,enum=medium,enum=large,enum=xlarge,enum=2xlarge,enum=4xlarge,enum=8xlarge,enum=12xlarge,enum=16xlarge,enum=24xlarge,enum=24xlarge_optimized_memory,enum=24xlarge_optimized_cpu,enum=24xlarge_high_memory,enum=48xlarge,enum=48xlarge_optimized_memory,enum=48xlarge_optimized_cpu,enum=48xlarge_high_memory" jsonschema_description:"Compute size; default smallest."`
	TemplateURL      string           `json:"template_url,omitempty" check:"format=uri" jsonschema_description:"Template to create from."`
}

// RegionSelection is the spec's oneOf of a specific region or a smart group,
// flattened: code's allowed values depend on type (checked in Validate).
type RegionSelection struct {
	Type string `json:"type" jsonschema:"required,enum=specific,enum=smartGroup" jsonschema_description:"specific: code is a region; smartGroup: americas, emea or apac."`
	Code string `json:"code" jsonschema:"required,enum=us-east-1,enum=us-east-2,enum=us-west-1,enum=us-west-2,enum=ap-east-1,enum=ap-southeast-1,enum=ap-northeast-1,enum=ap-northeast-2,enum=ap-southeast-2,enum=eu-west-1,enum=eu-west-2,enum=eu-west-3,enum=eu-north-1,enum=eu-central-1,enum=eu-central-2,enum=ca-central-1,enum=ap-south-1,enum=sa-east-1,enum=americas,enum=emea,enum=apac" jsonschema_description:"Region or smart group code."`
}

var smartGroups = map[string]bool{"americas": true, "emea": true, "apac": true}

// Validate checks what the flattened schema cannot say.
func (r CreateProject) Validate() error {
	if s := r.RegionSelection; s != nil && (s.Type == "smartGroup") != smartGroups[s.Code] {
		return errors.New("region_selection: type smartGroup takes code americas, emea or apac; type specific takes a region code such as us-east-1")
	}
	return nil
}

type DeleteProject struct{ ProjectRef }

type PauseProject struct{ ProjectRef }

type RestoreProject struct{ ProjectRef }

type CancelProjectRestore struct{ ProjectRef }

type ListProjectRestoreVersions struct{ ProjectRef }

type ListAvailableRegions struct {
	OrganizationSlug string `json:"organization_slug" in:"query" jsonschema:"required" check:"pattern=^[\\w-]+$" jsonschema_description:"Organization slug."`
	Continent        string `json:"continent,omitempty" in:"query" jsonschema:"enum=NA,enum=SA,enum=EU,enum=AF,enum=AS,enum=OC,enum=AN" jsonschema_description:"Preferred continent."`
	InstanceSize     string `json:"desired_instance_size,omitempty" in:"query" jsonschema:"enum=nano,enum=micro,enum=small,enum=medium,enum=large,enum=xlarge,enum=2xlarge,enum=4xlarge,enum=8xlarge,enum=12xlarge,enum=16xlarge,enum=24xlarge,enum=24xlarge_optimized_memory,enum=24xlarge_optimized_cpu,enum=24xlarge_high_memory,enum=48xlarge,enum=48xlarge_optimized_memory,enum=48xlarge_optimized_cpu,enum=48xlarge_high_memory" jsonschema_description:"Compute size; default smallest."`
}

type GetProjectHealth struct {
	ProjectRef
	Services  []string `json:"services" in:"query" jsonschema:"required,enum=auth,enum=db,enum=db_postgres_user,enum=pooler,enum=realtime,enum=rest,enum=storage,enum=pg_bouncer" check:"minItems=1" jsonschema_description:"Services to check."`
	TimeoutMS *int     `json:"timeout_ms,omitempty" in:"query" jsonschema:"maximum=10000" check:"minimum=0" jsonschema_description:"Timeout, ms."`
}

type GetUpgradeEligibility struct{ ProjectRef }

type GetUpgradeStatus struct {
	ProjectRef
	TrackingID string `json:"tracking_id,omitempty" in:"query" jsonschema_description:"Id from upgrade."`
}

type UpdateProject struct {
	ProjectRef
	Name string `json:"name" jsonschema:"required" check:"minLength=1,maxLength=256" jsonschema_description:"New project name."`
}

// UpgradeProject leaves out the spec's optional release_channel to keep the
// tool listing small; without it the API picks the channel itself.
type UpgradeProject struct {
	ProjectRef
	TargetVersion string `json:"target_version" jsonschema:"required" jsonschema_description:"Postgres version, e.g. 17."`
}

type GetProjectClaimToken struct{ ProjectRef }
type CreateProjectClaimToken struct{ ProjectRef }
type DeleteProjectClaimToken struct{ ProjectRef }
