// Testing Library's matchers, and a clean DOM after every component test (vitest runs without globals).
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());
