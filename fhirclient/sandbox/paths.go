package sandbox

// BasePath is the path of the sandbox's FHIR base on its server, as Epic
// puts R4 under /api/FHIR/R4: a tenant whose FHIR base is the sandbox at
// host:port uses http://host:port + BasePath.
const BasePath = basePath
