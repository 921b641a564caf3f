// The fault matrix in push mode: one activation per task through the coordinator tree (rows: helpers/faults-matrix.ts).
import { PUSH, faultsMatrix } from './helpers/faults-matrix.ts';

faultsMatrix(PUSH);
