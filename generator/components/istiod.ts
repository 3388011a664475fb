/**
 * TODO(#3): planner for the istiod components (being written).
 */
import type { ComponentPlanner } from './component.ts';

export const planIstiod: ComponentPlanner = () => [];
