package tools

import (
	"errors"
)

// BackupsRequests are the backups tool's operations.
type BackupsRequests struct {
	List               ListBackups
	Restore            RestoreBackup
	RestorePITR        RestorePITRBackup
	GetRestorePoint    GetRestorePoint
	CreateRestorePoint CreateRestorePoint
	GetSchedule        GetBackupSchedule
	UpdateSchedule     UpdateBackupSchedule
	Undo               UndoToRestorePoint
}

type ListBackups struct{ ProjectRef }

type RestoreBackup struct {
	ProjectRef
	ID int `json:"id" jsonschema:"required" jsonschema_description:"Backup id."`
}

type RestorePITRBackup struct {
	ProjectRef
	RecoveryTimeTargetUnix int64 `json:"recovery_time_target_unix" jsonschema:"required" check:"minimum=0" jsonschema_description:"Unix seconds in the PITR window."`
}

type GetRestorePoint struct {
	ProjectRef
	Name string `json:"name,omitempty" in:"query" jsonschema:"maxLength=20" jsonschema_description:"Restore point."`
}

type CreateRestorePoint struct {
	ProjectRef
	Name string `json:"name" jsonschema:"required,maxLength=20" check:"minLength=1" jsonschema_description:"Restore point."`
}

type GetBackupSchedule struct{ ProjectRef }

type UpdateBackupSchedule struct {
	ProjectRef
	ScheduleFor string `json:"schedule_for" jsonschema:"required" jsonschema_description:"UTC time, HH:MM:SS."`
}

var scheduleTime = lazyRegexp(`^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$`)

// Validate checks the time format (kept out of the schema to save context).
func (r UpdateBackupSchedule) Validate() error {
	if !scheduleTime().MatchString(r.ScheduleFor) {
		return errors.New("schedule_for must be a UTC time of day as HH:MM:SS, such as 04:00:00")
	}
	return nil
}

type UndoToRestorePoint struct {
	ProjectRef
	Name string `json:"name" jsonschema:"required,maxLength=20" check:"minLength=1" jsonschema_description:"Restore point."`
}
