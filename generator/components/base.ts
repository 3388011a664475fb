/**
 * TODO(#3): planner for the base components (being written).
 */
import type { ComponentPlanner } from './component.ts';

export const planBase: ComponentPlanner = () => [];
