// Every test runs with the scratch pool (src/core/kernels/scratch.ts) keeping arrays of any size and
// poisoning what is given back, so code that reads an array after handing it back, or relies on a
// taken array being zero, fails on the tests' small frames too.
import { ScratchPool } from '../src/core/kernels/scratch';

ScratchPool.poison = true;
ScratchPool.keepAll = true;
