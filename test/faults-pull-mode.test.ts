// The fault matrix in pull mode: W workers claiming tasks from the job's queue (rows: helpers/faults-matrix.ts).
import { PULL, faultsMatrix } from './helpers/faults-matrix.ts';

faultsMatrix(PULL);
