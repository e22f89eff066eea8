import { expect, it } from 'vitest';
import { headerFieldsFor } from '../src/steps/header-fields.js';

const file = { base: 'app.log', mtimeMs: 1_700_000_000_500 };
it('stores the base name and the mtime in seconds by default', () => expect(headerFieldsFor(file, { level: 6 })).toEqual({ name: 'app.log', mtime: 1_700_000_000.5, level: 6 }));
it('stores them with -N too', () => expect(headerFieldsFor(file, { name: true, level: 9 })).toEqual({ name: 'app.log', mtime: 1_700_000_000.5, level: 9 }));
it('stores no name and mtime 0 with -n, like gzip -n', () => expect(headerFieldsFor(file, { name: false, level: 1 })).toEqual({ mtime: 0, level: 1 }));
