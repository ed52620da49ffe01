// The endpoints controllers' public surface, for the server's wiring and the DNS server.

export { EndpointsController } from './endpoints_controller.js';
export { EndpointSliceController } from './endpointslice_controller.js';
export { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, CONTROLLER_NAME as ENDPOINTSLICE_CONTROLLER_NAME } from './endpointslice.js';
export { LAST_CHANGE_TRIGGER_TIME } from './trigger_time.js';
export { HEADLESS_LABEL } from './pods.js';
