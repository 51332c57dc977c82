// Package bulk runs FHIR Bulk Data exports ($export) as resumable jobs.
//
// A job is a message in the message log (type BULK, trigger the export
// level): its request is the message's raw body, its status URL and
// manifest are its output, and every stage (kick-off, manifest, each file,
// each malformed line, each OperationOutcome of an error file) is one of
// its events, so `switchboard tail` and `messages show` follow a job like
// any other message. The files of its manifest and how far each has been
// read are checkpointed beside it (store.BulkFile) after the sink has
// taken everything up to the checkpoint, so a job stopped at any moment —
// a crash, a kill, a restart — resumes from its last checkpoint:
// finished files are not downloaded again, and a file in progress
// continues from its byte offset. Lines delivered after the last
// checkpoint are delivered again on resume; NATS drops them by their
// Nats-Msg-Id (type/id/versionId) and a file sink truncates back to the
// checkpoint first, so each resource arrives exactly once.
package bulk
