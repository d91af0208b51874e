package tools

import "encoding/json"

type GetPostgrestConfig struct{ ProjectRef }

// postgrestConfig is V1UpdatePostgrestConfigBody.
type postgrestConfig struct {
	DBSchema          string  `json:"db_schema,omitempty" jsonschema_description:"Exposed schemas, comma list."`
	MaxRows           *int    `json:"max_rows,omitempty" check:"maximum=1000000,minimum=0" jsonschema_description:"Max rows returned."`
	DBExtraSearchPath *string `json:"db_extra_search_path,omitempty" jsonschema_description:"Extra search_path."`
	DBPool            *int    `json:"db_pool,omitempty" check:"maximum=1000,minimum=0" jsonschema_description:"Pool size."`
}

type UpdatePostgrestConfig struct {
	ProjectRef
	postgrestConfig
}

// EncodeBody always sends an object: the API requires a body even when
// nothing changes.
func (r UpdatePostgrestConfig) EncodeBody() ([]byte, string, error) {
	b, err := json.Marshal(r.postgrestConfig)
	return b, "application/json", err
}
