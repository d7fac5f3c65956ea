/** The probe paths, shared by the controller and the deployment files' test. */
export const HEALTH_PATHS = { readiness: '/health', liveness: '/health/live' } as const;
