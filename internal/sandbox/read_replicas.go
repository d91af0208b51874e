package sandbox

import (
	"net/http"
	"slices"
)

// readReplicasRoutes serves the read_replicas endpoint group. Replicas show
// in GET .../config/database/pooler (database_config), the API's only list.
func (s *Server) readReplicasRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/projects/{ref}/read-replicas/setup", s.withProject(s.setupReadReplica))
	mux.HandleFunc("POST /v1/projects/{ref}/read-replicas/remove", s.withProject(s.removeReadReplica))
}

// SeedReadReplica is the read replica of SeedProjectActive.
const SeedReadReplica = SeedProjectActive + "-rr-us-west-1-abcde"

// maxReadReplicas is how many replicas a project may have in the fake.
const maxReadReplicas = 2

// readReplicasFixtures names this group's seeded objects for Fixtures.
func readReplicasFixtures() map[string]any {
	return map[string]any{"database_config.remove_replica.database_identifier": SeedReadReplica}
}

type readReplica struct{ identifier, region string }

type readReplicaState struct{ replicas []readReplica }

var readReplicas = perProject[readReplicaState]{init: func(_ *Server, p *projectState) *readReplicaState {
	st := &readReplicaState{}
	if p.Ref == SeedProjectActive {
		st.replicas = append(st.replicas, readReplica{SeedReadReplica, "us-west-1"})
	}
	return st
}}

// setupReadReplica needs a running project on Small compute or larger and
// at most maxReadReplicas replicas.
func (s *Server) setupReadReplica(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		ReadReplicaRegion *string `json:"read_replica_region"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ReadReplicaRegion == nil || *body.ReadReplicaRegion == "" {
		badRequest(w, "read_replica_region is required and must be a supported region code")
		return
	}
	if !requireActive(w, p) {
		return
	}
	if projectAddons.of(s, p).compute == "ci_micro" {
		badRequest(w, "Read replicas need at least the Small compute add-on (the project runs on Micro)")
		return
	}
	st := readReplicas.of(s, p)
	if len(st.replicas) >= maxReadReplicas {
		badRequest(w, "Project %s already has %d read replicas, the most allowed", p.Ref, len(st.replicas))
		return
	}
	st.replicas = append(st.replicas, readReplica{p.Ref + "-rr-" + *body.ReadReplicaRegion + "-" + randomLetters(5), *body.ReadReplicaRegion})
	writeEmpty(w, http.StatusCreated)
}

func (s *Server) removeReadReplica(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		DatabaseIdentifier *string `json:"database_identifier"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.DatabaseIdentifier == nil || *body.DatabaseIdentifier == "" {
		badRequest(w, "database_identifier is required")
		return
	}
	st := readReplicas.of(s, p)
	i := slices.IndexFunc(st.replicas, func(rr readReplica) bool { return rr.identifier == *body.DatabaseIdentifier })
	if i < 0 {
		writeError(w, http.StatusNotFound, "Read replica "+*body.DatabaseIdentifier+" not found")
		return
	}
	st.replicas = slices.Delete(st.replicas, i, i+1)
	writeEmpty(w, http.StatusCreated)
}
