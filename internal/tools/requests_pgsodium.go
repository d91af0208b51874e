package tools

type GetPgsodiumConfig struct{ ProjectRef }

type UpdatePgsodiumConfig struct {
	ProjectRef
	RootKey string `json:"root_key" secret:"true" jsonschema:"required" check:"minLength=1" jsonschema_description:"New root key."`
}
