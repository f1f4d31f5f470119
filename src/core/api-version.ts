/** The Prefect REST API version this implementation speaks (Prefect 3's `SERVER_API_VERSION`). */
export const API_VERSION = "0.8.4";

/** The Prefect server version reported to clients (they check compatibility against it). */
export const PREFECT_SERVER_VERSION = "3.8.4";
