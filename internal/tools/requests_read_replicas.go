package tools

type SetupReadReplica struct {
	ProjectRef
	ReadReplicaRegion string `json:"read_replica_region" jsonschema:"required,enum=us-east-1,enum=us-east-2,enum=us-west-1,enum=us-west-2,enum=ap-east-1,enum=ap-southeast-1,enum=ap-northeast-1,enum=ap-northeast-2,enum=ap-southeast-2,enum=eu-west-1,enum=eu-west-2,enum=eu-west-3,enum=eu-north-1,enum=eu-central-1,enum=eu-central-2,enum=ca-central-1,enum=ap-south-1,enum=sa-east-1" jsonschema_description:"Region."`
}

type RemoveReadReplica struct {
	ProjectRef
	DatabaseIdentifier string `json:"database_identifier" jsonschema:"required" jsonschema_description:"Replica id (from get_pooler)."`
}
