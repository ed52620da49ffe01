// The volume controllers' public surface, for the server's wiring and the admission plugins.

// PersistentVolumeController also runs the PVC and PV protection controllers: wire only it.
export { PersistentVolumeController, type PersistentVolumeControllerOptions } from './pv_controller.js';
export { ensureDefaultStorageClass, DEFAULT_STORAGE_CLASS_NAME } from './storageclass.js';
export { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER, ANN_SELECTED_NODE } from '../../api/storage/annotations.js';
export { HOSTPATH_PROVISIONERS } from './hostpath.js';
