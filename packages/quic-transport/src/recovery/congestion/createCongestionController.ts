/** Selecting a congestion controller by name. */
import type { CongestionController, CongestionControlName } from './congestionController.js';
import { Cubic } from './cubic.js';
import type { CubicOptions } from './cubic.js';
import { NewReno } from './newReno.js';

/**
 * Creates the congestion controller called `name` ('newreno' or 'cubic').
 * @throws RangeError for an unknown name
 */
export function createCongestionController(name: CongestionControlName, options: CubicOptions = {}): CongestionController {
  switch (name) {
    case 'newreno':
      return new NewReno(options);
    case 'cubic':
      return new Cubic(options);
    default:
      throw new RangeError(`unknown congestion controller ${String(name)}`);
  }
}
