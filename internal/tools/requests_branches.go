package tools

import (
	"encoding/json"
	"reflect"
)

// BranchesRequests are the branches tool's operations.
type BranchesRequests struct {
	List             ListBranches
	Create           CreateBranch
	DisableBranching DisableBranching
	Get              GetBranch
	GetConfig        GetBranchConfig
	Update           UpdateBranch
	Delete           DeleteBranch
	Diff             DiffBranch
	Merge            MergeBranch
	Push             PushBranch
	Reset            ResetBranch
	Restore          RestoreBranch
}

// BranchID addresses one branch by its project ref (or its deprecated UUID).
type BranchID struct {
	BranchIDOrRef string `json:"branch_id_or_ref" in:"path" jsonschema:"required" check:"pattern=^(?:[a-z]{20}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$" jsonschema_description:"Branch ref or id."`
}

type ListBranches struct{ ProjectRef }

// CreateBranchBody is the spec's CreateBranchBody.
type CreateBranchBody struct {
	BranchName          string            `json:"branch_name" jsonschema:"required,minLength=1" jsonschema_description:"Branch name."`
	GitBranch           string            `json:"git_branch,omitempty" jsonschema_description:"Git branch to link."`
	IsDefault           *bool             `json:"is_default,omitempty" jsonschema_description:"Make it the default branch."`
	Persistent          *bool             `json:"persistent,omitempty" jsonschema_description:"Keep it when its pull request closes."`
	Region              string            `json:"region,omitempty" jsonschema_description:"Region code, e.g. us-east-1."`
	DesiredInstanceSize string            `json:"desired_instance_size,omitempty" jsonschema:"enum=pico,enum=nano,enum=micro,enum=small,enum=medium,enum=large,enum=xlarge,enum=2xlarge,enum=4xlarge,enum=8xlarge,enum=12xlarge,enum=16xlarge,enum=24xlarge,enum=24xlarge_optimized_memory,enum=24xlarge_optimized_cpu,enum=24xlarge_high_memory,enum=48xlarge,enum=48xlarge_optimized_memory,enum=48xlarge_optimized_cpu,enum=48xlarge_high_memory" jsonschema_description:"Compute size."`
	ReleaseChannel      string            `json:"release_channel,omitempty" jsonschema:"enum=internal,enum=alpha,enum=beta,enum=ga,enum=withdrawn,enum=preview" jsonschema_description:"Release channel; default ga."`
	PostgresEngine      string            `json:"postgres_engine,omitempty" jsonschema:"enum=15,enum=17,enum=17-oriole" jsonschema_description:"Postgres engine; default latest."`
	Secrets             map[string]string `json:"secrets,omitempty" jsonschema_description:"Edge Function secrets, name to value."`
	WithData            *bool             `json:"with_data,omitempty" jsonschema_description:"Copy production data."`
	NotifyURL           string            `json:"notify_url,omitempty" jsonschema:"format=uri" jsonschema_description:"URL that receives status updates."`
}

type CreateBranch struct {
	ProjectRef
	Branch CreateBranchBody `json:"branch" jsonschema:"required" jsonschema_description:"branch_name (create needs it), git_branch..."`
}

type DisableBranching struct{ ProjectRef }

type GetBranch struct {
	ProjectRef
	Name string `json:"name" in:"path" jsonschema:"required" jsonschema_description:"Branch name."`
}

type GetBranchConfig struct{ BranchID }

// UpdateBranchBody is the spec's UpdateBranchBody without the deprecated
// reset_on_push.
type UpdateBranchBody struct {
	BranchName    string `json:"branch_name,omitempty" jsonschema_description:"New name."`
	GitBranch     string `json:"git_branch,omitempty" jsonschema_description:"Git branch to link."`
	Persistent    *bool  `json:"persistent,omitempty" jsonschema_description:"Keep it when its pull request closes."`
	Status        string `json:"status,omitempty" jsonschema:"enum=CREATING_PROJECT,enum=RUNNING_MIGRATIONS,enum=MIGRATIONS_PASSED,enum=MIGRATIONS_FAILED,enum=FUNCTIONS_DEPLOYED,enum=FUNCTIONS_FAILED" jsonschema_description:"Branch status."`
	RequestReview *bool  `json:"request_review,omitempty" jsonschema_description:"Request a review."`
	NotifyURL     string `json:"notify_url,omitempty" jsonschema:"format=uri" jsonschema_description:"URL that receives status updates."`
}

type UpdateBranch struct {
	BranchID
	Branch UpdateBranchBody `json:"branch" jsonschema:"required" jsonschema_description:"Fields to change: branch_name, git_branch, persistent, status, request_review, notify_url."`
}

type DeleteBranch struct {
	BranchID
	Force *bool `json:"force,omitempty" in:"query" jsonschema_description:"false: delay 1 h, restorable."`
}

// Validate fills in force=true, the API's default, when force is not given:
// the spec states that default as the string "true", which strict OpenAPI
// validators then reject as a boolean, so the parameter is always sent.
func (r *DeleteBranch) Validate() error {
	if r.Force == nil {
		force := true
		r.Force = &force
	}
	return nil
}

// DiffBranch leaves out the optional included_schemas and pgdelta query
// parameters to keep the tool listing small.
type DiffBranch struct{ BranchID }

// BranchAction addresses a branch for merge, push and reset. Their body
// (BranchActionBody) is required, and its one optional field,
// migration_version, is left out to keep the tool listing small: {} is sent.
type BranchAction struct{ BranchID }

// EncodeBody sends the required body.
func (r BranchAction) EncodeBody() ([]byte, string, error) { return objectBody(r) }

type MergeBranch struct{ BranchAction }

type PushBranch struct{ BranchAction }

type ResetBranch struct{ BranchAction }

type RestoreBranch struct{ BranchID }

// objectBody encodes the body fields of a request struct (those without an
// `in` tag) as a JSON object, {} when none is set: for endpoints whose body is
// required although every field in it is optional.
func objectBody(req any) ([]byte, string, error) {
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, "", err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, "", err
	}
	fields := map[string]reflect.StructField{}
	collectFields(reflect.TypeOf(req), nil, fields)
	for name, f := range fields {
		if f.Tag.Get("in") != "" {
			delete(obj, name)
		}
	}
	raw, err = json.Marshal(obj)
	return raw, "application/json", err
}
