// The bundle's entry: runs the CLI.
import { main } from './main.js';

void main();
